"""Synthetic demo data: name and place pools, the household generator, the bulk writer."""
