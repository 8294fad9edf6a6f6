// A page on paper (printed, or "Save as PDF") in the light colours, whatever the screen's
// (wrapped in betterjournal/components/layout.py; bundled by Vite: a 'self' script under the
// CSP). Browsers print without backgrounds: the dark theme's light words would stand on white
// paper, too pale to read. The rest of what paper leaves out is in assets/app.css.
import { useEffect } from "react";

export function LightOnPaper() {
  useEffect(() => {
    const page = document.documentElement;
    let dark = []; // while a dark screen is printed: what was dark (<html>, the theme's root)
    const toPaper = () => {
      dark = [...document.querySelectorAll(".dark")];
      dark.forEach((element) => element.classList.replace("dark", "light"));
      if (dark.length) page.style.colorScheme = "light";
    };
    const toScreen = () => {
      dark.forEach((element) => element.classList.replace("light", "dark"));
      if (dark.length) page.style.colorScheme = "dark";
      dark = [];
    };
    window.addEventListener("beforeprint", toPaper);
    window.addEventListener("afterprint", toScreen);
    return () => {
      window.removeEventListener("beforeprint", toPaper);
      window.removeEventListener("afterprint", toScreen);
    };
  }, []);
  return null;
}
