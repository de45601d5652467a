#!/usr/bin/python3
"""Stand in for systemd's notification socket or for syslog's /dev/log.

    dgram_listen.py PATH OUT [CMD...]

Binds an AF_UNIX datagram socket at PATH (removed first if it is a stale
socket), then appends each datagram received to OUT as one line (newlines
inside it shown as '|').  When a datagram says READY=1 and CMD is given,
CMD runs at once and "ready-check rc=N" is appended: what a client sees at
the moment the daemon says it is ready.  Runs until killed.
"""
import os
import socket
import stat
import subprocess
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    cmd = sys.argv[3:]
    try:
        if stat.S_ISSOCK(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    with open(out, "a", buffering=1) as f:
        f.write("listening\n")
        while True:
            data = s.recv(65536).decode("utf-8", "replace")
            f.write(data.replace("\n", "|") + "\n")
            if cmd and "READY=1" in data.split("\n"):
                rc = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL).returncode
                f.write("ready-check rc=%d\n" % rc)


if __name__ == "__main__":
    main()
