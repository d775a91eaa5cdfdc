// Package chart draws bar charts as SVG on the server, for pages that must
// work without JavaScript and be read by everyone.
//
// A chart is an image with a text alternative: the <svg> has role="img"
// and is labelled by its <title> and described by its <desc>. What it
// shows is written on it, so that no information is carried by colour
// alone: every bar has its value printed beside it, every row its label,
// and when bars of several series share a row each series has its own
// fill pattern (solid, hatched, dotted) as well as its own colour, named in
// a legend. The colours stand at least 4.5:1 against white.
//
// The package writes no words of its own: titles, labels and the values as
// people read them (money, numbers, month names, in the reader's language)
// come from the caller. Coordinates are in the units of the viewBox; the
// <svg> carries its natural width and height and the class "chart", so
// that a style sheet can let it shrink to a phone's width (max-width: 100%;
// height: auto).
//
// It imports only the standard library: it knows nothing of the marketplace.
package chart
