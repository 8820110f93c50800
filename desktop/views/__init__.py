"""Qt views: widgets, dialogs, table models. They call services only (never the database)."""
