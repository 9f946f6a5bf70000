"""Afnemers: who they are (config + store), what they may ask and see (doelbinding), and the
protocol log of what was delivered to them."""
