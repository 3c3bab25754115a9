"""Intake's HTTP surface: the JSON API and the zh-CN pages."""
