"""Delivery: the finals a client receives, their files and downloads."""
