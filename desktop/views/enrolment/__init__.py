"""Helper widgets of the counter screens: enrolment and dependants (keyboard first)."""
