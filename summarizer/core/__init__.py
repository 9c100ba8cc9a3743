"""Core: the task, its schema and files, numbers and text, document checks. Imports nothing above it."""
