"""Construction's HTTP surface: the JSON API and the zh-CN phone pages."""
