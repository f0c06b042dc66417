"""ERA5 data access: variable catalogue, CDS requests, the embedded synthetic source."""
