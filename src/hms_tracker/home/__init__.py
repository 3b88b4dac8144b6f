"""The start page (`/`): what waits for the person who logs in, by the roles they hold."""
