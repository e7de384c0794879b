# One way to write a moment for people (compliance.moments): day, month in words, year, 24-hour
# time and the zone's abbreviation; the month's name comes from the active language.
DATETIME_FORMAT = "j F Y, H:i T"
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
SHORT_DATETIME_FORMAT = "j F Y, H:i T"
