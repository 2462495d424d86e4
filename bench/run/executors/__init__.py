"""Where a run's work happens: :mod:`~bench.run.executors.local` (threads and processes of
this machine) behind the :class:`~bench.run.executors.base.Executor` protocol."""
