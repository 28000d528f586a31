package browser

import "os"

var interrupt = os.Interrupt
