"""Starts a helper in its process group that ignores SIGTERM."""
import subprocess
import sys

import service

helper = subprocess.Popen([sys.executable, "-c",
                           "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                           "time.sleep(600)"])
print("service: helper pid %d" % helper.pid, flush=True)
service.run()
