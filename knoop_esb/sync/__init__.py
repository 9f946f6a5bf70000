"""The synchronisation engine of seed 002: signals, the bedrijf_nieuw queue, the priority refresh, the bulk load, schedules."""
