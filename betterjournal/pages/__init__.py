"""One module per area; page functions end in `_page`."""
