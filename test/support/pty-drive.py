"""Drive a command in a real pseudo-terminal, as a person at a keyboard would.

Usage: pty-drive.py '<json>' where json = {"argv": [...], "cwd": "...", "env": {...}, "timeout": s,
  "script": [{"expect": "regex"} | {"send": "text with \\u0003"} | {"touch": "path"}, ...]}
Bytes sent are real keystrokes: ^C is the byte 0x03, which the terminal turns into SIGINT for the
whole foreground process group unless the program put the terminal in raw mode.
Prints one JSON line: {"code": exit code or null, "signal": n or null, "output": everything written, "failed": why}.
"""
import json, os, pty, re, select, signal, sys, time

spec = json.loads(sys.argv[1])
deadline = time.time() + spec.get("timeout", 60)
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec.get("cwd", "."))
    env = dict(os.environ)
    env.update(spec.get("env", {}))
    env["TERM"] = "xterm"
    os.execvpe(spec["argv"][0], spec["argv"], env)

out = b""
failed = None


def pump(wait):
    global out
    r, _, _ = select.select([fd], [], [], wait)
    if not r:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    if not data:
        return False
    out += data
    return True


# A 120-column terminal, so the live table has room.
import fcntl, struct, termios
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

alive = True
seen = 0
for step in spec["script"]:
    if "expect" in step:
        pattern = re.compile(step["expect"].encode())
        while alive and not pattern.search(out, seen):
            if time.time() > deadline:
                failed = "timeout waiting for " + step["expect"]
                break
            alive = pump(0.1)
        m = pattern.search(out, seen)
        if m:
            seen = m.end()
        elif failed is None:
            failed = "exited before " + step["expect"]
        if failed:
            break
    elif "send" in step:
        os.write(fd, step["send"].encode())
    elif "touch" in step:
        open(step["touch"], "w").close()
    elif "sleep" in step:
        end = time.time() + step["sleep"]
        while alive and time.time() < end:
            alive = pump(0.05)

while alive and time.time() < deadline:
    alive = pump(0.1)
code = sig = None
if time.time() >= deadline:
    failed = failed or "timeout waiting for exit"
    os.killpg(pid, signal.SIGKILL) if False else os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
if os.WIFEXITED(status):
    code = os.WEXITSTATUS(status)
elif os.WIFSIGNALED(status):
    sig = os.WTERMSIG(status)
print(json.dumps({"code": code, "signal": sig, "output": out.decode("utf8", "replace"), "failed": failed}))
