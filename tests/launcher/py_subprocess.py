import os, signal, subprocess, time
r = subprocess.run(["./busybox", "echo", "from a child"], capture_output=True, text=True)
print(r.returncode, r.stdout.strip())
p = subprocess.Popen(["./busybox", "sh", "-c", "exit 3"])
print("exit", p.wait())
out = subprocess.check_output("./busybox seq 5 | ./busybox sort -rn | ./busybox head -2", shell=True, text=True)
print(out.split())
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append("usr1"))
os.kill(os.getpid(), signal.SIGUSR1)
signal.signal(signal.SIGALRM, lambda s, f: got.append("alarm"))
signal.setitimer(signal.ITIMER_REAL, 0.05)
time.sleep(0.5)
print(got)
