"""Reporting: terminal tables, Markdown and charts, the review page."""
