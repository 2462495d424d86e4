"""The results site: ``sumbench view`` turns a results folder into static pages (the table, the
per-item distributions, each task with its sources and every summary, each summary with its
evidence, the problems, and with two runs a diff) that open from ``file://`` without a server
or network."""

from bench.report.view.build import Site, ViewOptions, build_view

__all__ = ["Site", "ViewOptions", "build_view"]
