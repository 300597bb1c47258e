"""The management dashboard: queries over the scan aggregates and their charts.

It reads what :mod:`service.scans` writes (see ``service.keys``); it may import
``service``, never the reverse. The pages arrive with the dashboard issue.
"""
