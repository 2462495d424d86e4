"""Implementations of :class:`bench.run.executor.Executor`: :mod:`~bench.run.executors.local`
runs on this machine's threads and processes."""
