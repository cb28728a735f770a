"""The work behind each ``rangeload`` subcommand, one module per room it drives."""
