module warm

go 1.26
