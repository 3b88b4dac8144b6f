"""Deviations (avvik): report, handle, corrective actions, close; comments, attachments,
anonymous reports with receipt codes, statistics."""
