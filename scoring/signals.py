"""What the scoring app tells the apps above it, which it may not import (layers point one way)."""

from django.dispatch import Signal

# Sent inside the import's transaction once a ledger's facts are written: apps above keep their own lists in
# step (the editorial desk lists the carriers the ledger's adoptions name).
ledger_imported = Signal()
