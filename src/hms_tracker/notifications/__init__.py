"""E-mail: an outbox written in the request's transaction, sent over SMTP afterwards, and
the daily reminder digest (`hms-tracker remind`)."""
