"""Benchmarks of the kernel beside its baselines (`renovation bench`): the facts they print with."""

from __future__ import annotations

import os
import platform
import sqlite3


def machine_facts() -> dict[str, str]:
    """What a figure depends on: CPUs, load, Python, SQLite, the operating system."""
    try:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "n/a"
    return {
        "cpus": str(os.cpu_count()),
        "load average": load,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(terse=True),
    }
