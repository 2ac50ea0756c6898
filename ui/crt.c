#include "crt.h"
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

static int attrs[CRT_N];

int crt_init(void)
{
    if (!isatty(0) || !isatty(1))
        return -1;
    setlocale(LC_ALL, "");
    if (!initscr())
        return -1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    /* clicks and the wheel, reported at once (no wait to tell a click
     * from a double click) */
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
    int color = has_colors() && start_color() == OK;
    if (color) {
        use_default_colors();
        init_pair(1, COLOR_BLACK, COLOR_CYAN);
        init_pair(2, COLOR_GREEN, -1);
        init_pair(3, COLOR_RED, -1);
        init_pair(4, COLOR_WHITE, COLOR_RED);
        init_pair(5, COLOR_CYAN, -1);
        init_pair(6, COLOR_BLACK, COLOR_GREEN);
        init_pair(7, COLOR_YELLOW, -1);
        init_pair(8, COLOR_BLUE, -1);
    }
    attrs[CRT_NORMAL] = A_NORMAL;
    attrs[CRT_TITLE] = color ? COLOR_PAIR(1) : A_REVERSE;
    attrs[CRT_BEATS] = color ? COLOR_PAIR(2) | A_BOLD : A_BOLD;
    attrs[CRT_MISSES] = color ? COLOR_PAIR(3) : A_NORMAL;
    attrs[CRT_REJECTED] = A_DIM;
    attrs[CRT_SELECTED] = color ? COLOR_PAIR(7) | A_BOLD : A_BOLD;
    attrs[CRT_CURSOR] = A_REVERSE;
    attrs[CRT_STATUS_ERROR] = color ? COLOR_PAIR(4) | A_BOLD : A_REVERSE | A_BOLD;
    attrs[CRT_STATUS_INFO] = color ? COLOR_PAIR(5) : A_NORMAL;
    attrs[CRT_KEY] = color ? COLOR_PAIR(6) : A_REVERSE;
    attrs[CRT_BAR] = color ? COLOR_PAIR(5) | A_REVERSE : A_REVERSE;
    attrs[CRT_BAR2] = color ? COLOR_PAIR(8) | A_REVERSE : A_REVERSE;
    attrs[CRT_DIM] = A_DIM;
    attrs[CRT_HEADER] = A_BOLD | A_UNDERLINE;
    return 0;
}

void crt_done(void)
{
    if (!isendwin())
        endwin();
}

int crt_attr(crt_role role)
{
    return attrs[role];
}

void crt_size(int *h, int *w)
{
    getmaxyx(stdscr, *h, *w);
}

void crt_cursor(int on)
{
    curs_set(on ? 1 : 0);
}

void crt_repaint(void)
{
    clearok(curscr, TRUE);
}

int crt_read(int timeout_ms, int *y, int *x, unsigned long *button)
{
    timeout(timeout_ms);
    int key = getch();
    if (key == KEY_MOUSE) {
        MEVENT me;
        if (getmouse(&me) != OK)
            return ERR;
        *y = me.y;
        *x = me.x;
        *button = (unsigned long)me.bstate;
    }
    return key;
}
