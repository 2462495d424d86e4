"""A Ray cluster on this machine (``ray.cluster_utils``): a head and more nodes on 127.0.0.1,
one CPU each, with this process connected. The Ray tests and ``benchmarks/ray_scale.py`` start
theirs here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

NODE: dict[str, Any] = {"num_cpus": 1, "object_store_memory": 100 * 1024**2}
"""Each node: one CPU and a 100 MB object store (small, so a test would notice a whole set)."""


@contextmanager
def local_cluster(nodes: int, env_vars: dict[str, str]) -> Iterator[Any]:
    """``nodes`` nodes (the head counts), workers started with ``env_vars``; shut down after."""
    import ray
    from ray import cluster_utils

    cluster = cluster_utils.Cluster(
        initialize_head=True, head_node_args={**NODE, "include_dashboard": False}
    )
    try:
        for _ in range(nodes - 1):
            cluster.add_node(**NODE)
        ray.init(
            address=cluster.address,
            runtime_env={"env_vars": env_vars},
            log_to_driver=False,
            configure_logging=False,
        )
        cluster.wait_for_nodes()
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()
