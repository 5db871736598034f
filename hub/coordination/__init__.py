"""Who received what, and who acted: read receipts the hub keeps by itself, and the
acknowledgements agencies send; what the coordination report is measured from."""
