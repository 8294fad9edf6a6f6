"""The pure-Python core: access rules, queries, encryption use and audit.

Nothing here imports Reflex. States call these functions (off the event loop) and
copy the view objects they return into vars; tests call them directly.
"""
