#!/usr/bin/env bash
# Installs and runs versitygw, an S3 gateway over a local folder, for the
# remote-cache tests and benchmarks.
#
#   scripts/versitygw.sh install           build it into $(go env GOPATH)/bin unless there
#   scripts/versitygw.sh start DIR [ADDR]  serve DIR on ADDR (127.0.0.1:7070) in the background
#   scripts/versitygw.sh stop DIR          stop the server started for DIR
#
# start takes its keys from ROOT_ACCESS_KEY_ID and ROOT_SECRET_ACCESS_KEY
# when they are set; otherwise it makes random ones and writes them, with
# the endpoint, as AWS_* variables to DIR/env (mode 0600) for `source`.
# Keys only travel through the environment and that file, never argv or
# the log. The tests of internal/remote start their own server and need
# only `install`.
set -euo pipefail

VERSION=v1.8.0

bin_dir() { echo "$(go env GOPATH)/bin"; }

install() {
	local bin
	bin="$(bin_dir)/versitygw"
	if [ -x "$bin" ] || command -v versitygw >/dev/null; then
		return 0
	fi
	echo "installing versitygw $VERSION into $(bin_dir)" >&2
	go install "github.com/versity/versitygw/cmd/versitygw@$VERSION"
}

binary() {
	command -v versitygw 2>/dev/null || echo "$(bin_dir)/versitygw"
}

start() {
	local dir=${1:?usage: versitygw.sh start DIR [ADDR]} addr=${2:-127.0.0.1:7070}
	install
	mkdir -p "$dir/data" "$dir/meta"
	if [ -z "${ROOT_ACCESS_KEY_ID:-}" ] || [ -z "${ROOT_SECRET_ACCESS_KEY:-}" ]; then
		ROOT_ACCESS_KEY_ID=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
		ROOT_SECRET_ACCESS_KEY=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	fi
	export ROOT_ACCESS_KEY_ID ROOT_SECRET_ACCESS_KEY
	(
		umask 077
		cat >"$dir/env" <<-EOF
			export AWS_ACCESS_KEY_ID=$ROOT_ACCESS_KEY_ID
			export AWS_SECRET_ACCESS_KEY=$ROOT_SECRET_ACCESS_KEY
			export AWS_ENDPOINT_URL=http://$addr
			export AWS_REGION=us-east-1
		EOF
	)

	"$(binary)" --port "$addr" --quiet --keep-alive --health /health \
		posix --sidecar "$dir/meta" "$dir/data" >"$dir/versitygw.log" 2>&1 &
	echo $! >"$dir/versitygw.pid"
	for _ in $(seq 100); do
		if curl -fsS -o /dev/null "http://$addr/health" 2>/dev/null; then
			echo "versitygw serving $dir/data on http://$addr (keys in $dir/env)" >&2
			return 0
		fi
		if ! kill -0 "$(cat "$dir/versitygw.pid")" 2>/dev/null; then
			echo "versitygw exited; its log:" >&2
			cat "$dir/versitygw.log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "versitygw did not answer on $addr within 10 s" >&2
	return 1
}

stop() {
	local dir=${1:?usage: versitygw.sh stop DIR}
	[ -f "$dir/versitygw.pid" ] || return 0
	kill "$(cat "$dir/versitygw.pid")" 2>/dev/null || true
	rm -f "$dir/versitygw.pid"
}

case "${1:-install}" in
install) install ;;
start) shift; start "$@" ;;
stop) shift; stop "$@" ;;
*) echo "usage: $0 install | start DIR [ADDR] | stop DIR" >&2; exit 2 ;;
esac
