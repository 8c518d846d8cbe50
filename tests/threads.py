"""Work run at the same moment in several threads, each on its own database connection (concurrency tests)."""
import threading

from models.db import database


def in_threads(count, work, timeout=300):
    """Run work(i) in `count` threads released together; [result or exception] in order."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(i):
        try:
            barrier.wait(30)
            results[i] = work(i)
        except Exception as err:  # noqa: BLE001 - returned to the test
            results[i] = err
        finally:
            database.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
