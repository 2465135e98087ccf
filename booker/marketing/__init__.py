"""Marketing with consent (issue 21): segments of people defined by conditions on the data,
campaigns sent to a segment through the worker, each send recorded per recipient."""
