"""The run's worker processes: one pool per run, started before anything else and used by every parallel step.

Started first, the workers import the per-document code and spaCy while the main process is still loading
what the later stages need, and each builds the spaCy pipeline once, at its first document that needs it: a
run whose documents all come from the cache never builds it.
The same workers then take the documents, and after them the report's years. A worker that dies or runs over the time
limit is replaced by the pool (pebble), and only its task fails. This module imports no stage, so the
command starts its workers before it loads anything heavy.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import multiprocessing
import os
import resource
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from types import TracebackType
from typing import Any, TypeVar

from pebble import ProcessPool

from pipeline.config import RunOptions

log = logging.getLogger(__name__)
FINISH_SECONDS = 10.0
DOCUMENT_STAGE = ("pipeline.flow.document", "pipeline.nlp")
"""What a document worker imports when it starts (by name: this module imports no stage)."""
PR_SET_PDEATHSIG = 1

Item = TypeVar("Item")
Value = TypeVar("Value")


def start_worker(memory_limit_mib: int | None, preload: tuple[str, ...] = ()) -> None:
    """Set up a worker process: Ctrl-C is the parent's to handle, the worker dies with its parent (Linux), its
    memory is limited so that one document cannot take the machine's, and the modules in `preload` are
    imported."""
    parent = multiprocessing.parent_process()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if parent is not None and os.getppid() != parent.pid:
            os._exit(1)
    if memory_limit_mib:
        limit = memory_limit_mib << 20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    for module in preload:
        importlib.import_module(module)


def run_workers(options: RunOptions, documents: int) -> Workers | None:
    """The worker processes for a run of `documents` documents: one per job, never more than there are
    documents; none for a single job or on Dask."""
    if options.jobs < 2 or options.executor != "local" or documents < 1:
        return None
    return Workers(min(options.jobs, documents), options.memory_limit_mib, DOCUMENT_STAGE)


class Workers:
    """A pool of `jobs` spawned, memory-limited worker processes that import `preload` when they start. Use as
    a context manager: leaving the block normally lets the workers finish, an exception (Ctrl-C included) stops
    them at once."""

    def __init__(self, jobs: int, memory_limit_mib: int | None, preload: tuple[str, ...] = ()) -> None:
        self.jobs = jobs
        self.initargs: tuple[int | None, tuple[str, ...]] = (memory_limit_mib, preload)
        self.pool = self.new_pool()

    def new_pool(self) -> ProcessPool:
        """A pool of spawned workers (none of this process's state is inherited)."""
        return ProcessPool(
            max_workers=self.jobs,
            initializer=start_worker,
            initargs=self.initargs,
            context=multiprocessing.get_context("spawn"),
        )

    def renew(self, preload: tuple[str, ...]) -> None:
        """Let the current workers finish and start fresh ones without the NLP pipeline, importing `preload`:
        after the documents the pipeline would only hold memory while the report is drawn."""
        self.finish()
        self.initargs = (self.initargs[0], preload)
        self.pool = self.new_pool()
        self.start()

    def start(self) -> Workers:
        """Start the worker processes now (pebble starts them at the first task otherwise)."""
        self.pool.schedule(int)
        return self

    def schedule(self, function: Callable[..., Value], *args: Any, timeout: float | None = None) -> Future[Value]:
        """Run `function(*args)` in a worker. A pool that broke down (its workers were killed as they started)
        is replaced by a fresh one first."""
        try:
            return self.pool.schedule(function, args=args, timeout=timeout)
        except RuntimeError:
            log.info("the worker pool broke down: a fresh pool takes over")
            self.stop()
            self.pool = self.new_pool()
            return self.pool.schedule(function, args=args, timeout=timeout)

    def map(self, function: Callable[[Item], Value], items: Iterable[Item]) -> list[Value]:
        """`function` of every item, in the workers, in the order of the items."""
        futures = [self.pool.schedule(function, args=(item,)) for item in items]
        return [future.result() for future in futures]

    def stop(self) -> None:
        """Stop every worker at once."""
        self.pool.stop()
        self.pool.join()

    def finish(self) -> None:
        """Let the workers end once their tasks are done. The tasks of the run have all been collected by
        then, so workers that have not ended within `FINISH_SECONDS` (a task lost with a worker killed as it
        started would keep the pool waiting for ever) are stopped."""
        self.pool.close()
        try:
            self.pool.join(timeout=FINISH_SECONDS)
        except TimeoutError:
            log.info("the workers did not end within %s s of their last task: stopped", FINISH_SECONDS)
            self.stop()

    def __enter__(self) -> Workers:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is not None:
            self.stop()
            return
        self.finish()
