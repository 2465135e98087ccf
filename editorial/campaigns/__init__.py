"""Campaigns written in the CMS (issue 21): a newsletter or offer as a snippet with a
StreamField, rendered with the site's email look and handed to the Booker's marketing, which
sends it to a segment through the worker."""
