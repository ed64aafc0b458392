"""The publisher's signed-in pages, under /publishing/ (apart from the public URLconf)."""
