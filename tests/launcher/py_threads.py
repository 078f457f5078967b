# tests/launcher/py_threads.py: Python threads and signals, natively and under `ringfence run`
# (issue #5, tests/launcher/run-programs.sh compares the output). Prints only deterministic
# facts: which thread took which item is not printed, only sums and checks. Exits 1 if a
# check fails (and only then calls sys.exit: mkpayload.sh exec()s it to list its modules).
import queue, signal, sys, threading, time

N = 4
work = queue.Queue(maxsize=8)  # bounded: producers and consumers block on each other
squares = queue.Queue()
lock = threading.Lock()
start = threading.Event()
barrier = threading.Barrier(N + 1)
total = 0
native_ids = [None] * N


def worker(i):
    global total
    native_ids[i] = threading.get_native_id()
    start.wait()
    barrier.wait()
    while True:
        item = work.get()
        if item is None:
            work.task_done()
            return
        with lock:
            # read, switch threads, write: only the lock keeps the sum right
            v = total
            time.sleep(0)
            total = v + item
        squares.put(item * item)
        work.task_done()


threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
for t in threads:
    t.start()
start.set()
barrier.wait()
for n in range(1, 1001):
    work.put(n)
for _ in threads:
    work.put(None)
work.join()
for t in threads:
    t.join()
sq = 0
while not squares.empty():
    sq += squares.get()
print("sum", total, "want", 1000 * 1001 // 2)
print("sum of squares", sq, "want", 1000 * 1001 * 2001 // 6)
print("threads alive after join:", sum(t.is_alive() for t in threads))
print("native thread ids distinct:", len(set(native_ids + [threading.get_native_id()])) == N + 1)


# signal.alarm: the handler runs in the main thread (Python's rule) while a second thread
# waits, and its exception ends a long sleep of the main thread
class Alarm(Exception):
    pass


seen = []


def on_alarm(signum, frame):
    seen.append((signal.Signals(signum).name, threading.current_thread() is threading.main_thread()))
    raise Alarm()


signal.signal(signal.SIGALRM, on_alarm)
hold = threading.Event()
waiter = threading.Thread(target=hold.wait)  # blocked while the alarm comes
waiter.start()
signal.alarm(1)
t0 = time.monotonic()
try:
    time.sleep(30)
    print("sleep was not interrupted")
except Alarm:
    print("alarm interrupted the sleep:", time.monotonic() - t0 < 20)
hold.set()
waiter.join()
print("handler calls (signal, in main thread):", seen)

# a signal sent to the main thread from another thread (pthread_kill)
got = threading.Event()
signal.signal(signal.SIGUSR1, lambda s, f: got.set())
main_ident = threading.main_thread().ident
sender = threading.Thread(target=signal.pthread_kill, args=(main_ident, signal.SIGUSR1))
sender.start()
sender.join()
usr1 = got.wait(20)
print("SIGUSR1 from a thread handled:", usr1)

ok = (total == 500500 and sq == 333833500 and not any(t.is_alive() for t in threads)
      and len(set(native_ids + [threading.get_native_id()])) == N + 1
      and seen == [("SIGALRM", True)] and usr1)
if not ok:
    print("py_threads: a check failed", file=sys.stderr)
    sys.exit(1)
