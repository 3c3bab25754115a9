"""The demo (embedded mode only): every stage of a project, recorded through the real HTTP commands."""

DEMO_PREFIX = "【演示】"
