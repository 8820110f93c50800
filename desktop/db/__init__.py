"""Engine and session factory, migrations, and the read paths that need raw speed."""
