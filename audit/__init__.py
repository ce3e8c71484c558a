"""The one audit trail: every security event and every change by anyone (issue 10, 等保 level 2).

The bottom layer: it imports no other app of the project. Writers call `audit.services.record`; the item
pages read their history from the same records.
"""
