"""Executors for the runner: the process pool (its workers end with the run and use one BLAS/torch thread
each) and a Dask cluster (:func:`dask_executor`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

from sgmverify.errors import SgmverifyError

__all__ = ["dask_executor"]


def _exit_with_parent(parent: int) -> None:
    """Pool-worker initializer: end this worker when the run that started it dies (e.g. ``kill -9``)."""
    with contextlib.suppress(Exception):  # Linux: the kernel signals us when the parent dies
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    def watch() -> None:  # everywhere: poll the parent's pid
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="sgmverify-parent-watch", daemon=True).start()


def _one_thread_per_worker() -> None:
    """Pool-worker initializer: one BLAS/torch thread per worker process.

    ``jobs`` workers already use the cores; letting each also start a thread per core oversubscribes them
    (a small torch layer ran ~100x slower that way on a loaded 2-core machine).
    """
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    torch = sys.modules.get("torch")  # inherited from the parent by fork; otherwise the variables above apply
    if torch is not None:
        with contextlib.suppress(Exception):
            torch.set_num_threads(1)


def _worker_init(parent: int) -> None:
    _exit_with_parent(parent)
    _one_thread_per_worker()


def _new_pool(jobs: int) -> cf.Executor:
    return cf.ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(os.getpid(),))


@contextlib.contextmanager
def dask_executor(address: str = "local", n_workers: int | None = None) -> Iterator[cf.Executor]:
    """A :class:`concurrent.futures.Executor` on a Dask cluster (``"local"``: a LocalCluster on 127.0.0.1).

    Suites given by file path must be readable at the same path on the workers.

    Raises
    ------
    SgmverifyError
        ``dask.distributed`` is not installed.
    """
    try:
        import distributed
    except ImportError as exc:
        raise SgmverifyError(
            "--dask needs the optional dependency dask.distributed; install it with "
            "`pip install 'sgmverify[dask]'`, or run with --jobs N instead."
        ) from exc
    with contextlib.ExitStack() as stack:
        if address == "local":
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    host="127.0.0.1",
                    n_workers=n_workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
        else:
            client = stack.enter_context(distributed.Client(address))
        yield client.get_executor(pure=False)
