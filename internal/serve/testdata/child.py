"""Starts a helper in a session of its own and leaves it running when it stops."""
import subprocess
import sys

import service

helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                          start_new_session=True)
print("service: helper pid %d" % helper.pid, flush=True)
service.run()
