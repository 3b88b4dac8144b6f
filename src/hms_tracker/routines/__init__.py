"""HMS routines: versions, scope, tags, reviews, read-acknowledgements and attachments."""
