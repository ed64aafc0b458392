"""Front-line capture: incidents and tips, and registering a group rescued together."""
