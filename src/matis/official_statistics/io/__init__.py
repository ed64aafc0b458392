"""Reading and writing official statistics files: GLOTIP, SDMX-CSV, MATIS CSV, Excel."""
