"""The four services of the renovation supervision system."""
