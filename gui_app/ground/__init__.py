"""The ground floor: neutral values and plumbing every part of Rangeload shares (byte
ranges, units, URL and file-name checks, paths, logging). It imports nothing of ours but
the package root."""
