"""Construction: site inspections, defects and rectification, hidden-work evidence, design changes."""
