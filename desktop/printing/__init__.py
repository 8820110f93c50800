"""Printed Persian letters (ReportLab): shaping, letters, QR. No Qt here."""
