"""The outside authorities' panel at headquarters (issue 15): inquiries and certificates."""
