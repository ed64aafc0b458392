"""Case pages (thin: validate, call one service or gate, render)."""
